// Placeholder until the owning issue lands this command.
export async function main(_argv: string[]): Promise<number> {
  console.error('peerlab compare: not built yet');
  return 1;
}
