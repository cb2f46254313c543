import { readFile } from 'node:fs/promises';
import { CliError } from './context.ts';

/** Reads a JSON file, with errors that name the file and the position of a syntax error. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      2,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`, 2);
  }
}

export function parseInputOption(value: string | undefined): unknown {
  if (value === undefined) return {};
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new CliError(`--input is not valid JSON: ${(err as Error).message}`, 2);
  }
}
