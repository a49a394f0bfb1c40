/**
 * `peerlab signal [--port N] [--host H]`: a standalone y-webrtc-compatible signaling server, for peers on
 * several machines (point their signaling setting at ws://H:N). Loopback only unless --host says otherwise.
 */
import { SignalingServer } from '../live/signaling/server.js';
import { Command, untilStopped } from './args.js';

const USAGE = `usage: peerlab signal [--port N] [--host H] [--max-message-bytes N]

  --port N               port to listen on (default 4444; 0 picks a free one)
  --host H               interface (default 127.0.0.1; 0.0.0.0 for other machines)
  --max-message-bytes N  largest accepted signaling message (default 262144)`;

const cmd = new Command('signal', USAGE);

export async function main(argv: string[]): Promise<number> {
  const parsed = cmd.parse(argv, {
    port: { type: 'string', default: '4444' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-message-bytes': { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const port = cmd.int('port', values.port, 0, 65535);
  const maxMessageBytes = cmd.int('max-message-bytes', values['max-message-bytes'], 1024);
  if (port === null || port === undefined || maxMessageBytes === null) return 2;
  const server = new SignalingServer({ host: values.host, port, ...(maxMessageBytes ? { maxMessageBytes } : {}) });
  try {
    await server.listen();
  } catch (e) {
    console.error(`peerlab signal: cannot listen on ${values.host}:${port}: ${(e as Error).message}`);
    return 1;
  }
  // listen for Ctrl+C before saying we are up: whoever reads that line may signal us at once
  const stopped = untilStopped();
  console.log(`peerlab signal: listening on ${server.url} (y-webrtc signaling protocol)`);
  await stopped;
  await server.close();
  return 0;
}
