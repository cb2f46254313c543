export async function benchCommand(_opts: { json?: boolean; duration?: string }): Promise<number> {
  process.stderr.write('bench: not implemented yet\n');
  return 1;
}
