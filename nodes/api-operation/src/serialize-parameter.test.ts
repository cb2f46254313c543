import { describe, expect, it } from 'vitest';
import { serializeHeader, serializePath, serializeQuery } from './serialize-parameter.ts';

// The examples of the OpenAPI specification's style table (color = "blue", ["blue","black","brown"],
// { R: 100, G: 200, B: 150 }).
const array = ['blue', 'black', 'brown'];
const object = { R: 100, G: 200, B: 150 };
const p = (style?: string, explode?: boolean) =>
  ({ name: 'color', ...(style ? { style } : {}), ...(explode === undefined ? {} : { explode }) }) as never;

describe('OpenAPI parameter styles', () => {
  it('serializes path parameters: simple, label, matrix', () => {
    expect(serializePath(p(), 'blue')).toBe('blue');
    expect(serializePath(p(), array)).toBe('blue,black,brown');
    expect(serializePath(p(), object)).toBe('R,100,G,200,B,150');
    expect(serializePath(p('simple', true), object)).toBe('R=100,G=200,B=150');
    expect(serializePath(p('label'), array)).toBe('.blue,black,brown');
    expect(serializePath(p('label', true), array)).toBe('.blue.black.brown');
    expect(serializePath(p('matrix'), array)).toBe(';color=blue,black,brown');
    expect(serializePath(p('matrix', true), array)).toBe(';color=blue;color=black;color=brown');
    expect(serializePath(p('matrix', true), object)).toBe(';R=100;G=200;B=150');
    expect(serializePath(p(), 'a/b c')).toBe('a%2Fb%20c');
  });

  it('serializes query parameters: form (exploded by default), delimited, deepObject', () => {
    expect(serializeQuery(p(), 'blue')).toEqual(['color=blue']);
    expect(serializeQuery(p(), array)).toEqual(['color=blue', 'color=black', 'color=brown']);
    expect(serializeQuery(p('form', false), array)).toEqual(['color=blue,black,brown']);
    expect(serializeQuery(p(), object)).toEqual(['R=100', 'G=200', 'B=150']);
    expect(serializeQuery(p('form', false), object)).toEqual(['color=R,100,G,200,B,150']);
    expect(serializeQuery(p('spaceDelimited', false), array)).toEqual(['color=blue%20black%20brown']);
    expect(serializeQuery(p('pipeDelimited', false), array)).toEqual(['color=blue|black|brown']);
    expect(serializeQuery(p('deepObject', true), object)).toEqual([
      'color%5BR%5D=100',
      'color%5BG%5D=200',
      'color%5BB%5D=150',
    ]);
    expect(serializeQuery(p(), 'a&b=c')).toEqual(['color=a%26b%3Dc']);
  });

  it('serializes header parameters with the simple style', () => {
    expect(serializeHeader(p(), array)).toBe('blue,black,brown');
    expect(serializeHeader(p(undefined, true), object)).toBe('R=100,G=200,B=150');
    expect(serializeHeader(p(), true)).toBe('true');
  });
});
