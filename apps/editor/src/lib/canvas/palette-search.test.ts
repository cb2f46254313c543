import { describe, expect, it } from 'vitest';
import { groupByCategory, newestVersions, searchNodeTypes } from './palette-search.ts';
import { TYPES } from './test-fixtures.ts';

describe('palette search', () => {
  it('ranks a title match above keyword and description matches', () => {
    const ids = searchNodeTypes(TYPES, 'http').map((t) => t.id);
    expect(ids[0]).toBe('core.http_request');
    expect(ids).toContain('core.webhook_trigger');
  });

  it('needs every word to match somewhere', () => {
    expect(searchNodeTypes(TYPES, 'http response').map((t) => t.id)).toEqual(['core.respond_webhook']);
    expect(searchNodeTypes(TYPES, 'javascript')[0]?.id).toBe('core.code');
    expect(searchNodeTypes(TYPES, 'nothing like this')).toEqual([]);
  });

  it('finds by description words', () => {
    expect(searchNodeTypes(TYPES, 'caller').map((t) => t.id)).toEqual(['core.respond_webhook']);
  });

  it('lists everything by title for an empty query', () => {
    expect(searchNodeTypes(TYPES, '  ').map((t) => t.title)).toEqual([
      'Code',
      'HTTP request',
      'If',
      'Respond to webhook',
      'Webhook trigger',
    ]);
  });

  it('groups by category in palette order', () => {
    const groups = groupByCategory(TYPES);
    expect(groups.map((g) => g.label)).toEqual(['Triggers', 'Flow', 'Code', 'Network']);
    expect(groups[3]?.types.map((t) => t.id)).toEqual(['core.respond_webhook', 'core.http_request']);
  });

  it('keeps the newest version of each type', () => {
    const v2 = { ...TYPES[1]!, version: 2 };
    expect(newestVersions([TYPES[1]!, v2]).map((t) => t.version)).toEqual([2]);
  });
});
