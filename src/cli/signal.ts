/**
 * `peerlab signal [--port N] [--host H]`: a standalone y-webrtc-compatible signaling server, for peers on
 * several machines (point their signaling setting at ws://H:N). Loopback only unless --host says otherwise.
 */
import { parseArgs } from 'node:util';
import { SignalingServer } from '../live/signaling/server.js';

const USAGE = `usage: peerlab signal [--port N] [--host H] [--max-message-bytes N]

  --port N               port to listen on (default 4444; 0 picks a free one)
  --host H               interface (default 127.0.0.1; 0.0.0.0 for other machines)
  --max-message-bytes N  largest accepted signaling message (default 262144)`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '4444' },
        host: { type: 'string', default: '127.0.0.1' },
        'max-message-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    console.error(`peerlab signal: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`peerlab signal: --port: expected an integer in [0, 65535], got '${values.port}'`);
    return 2;
  }
  const maxRaw = values['max-message-bytes'];
  const maxMessageBytes = maxRaw === undefined ? undefined : Number(maxRaw);
  if (maxMessageBytes !== undefined && (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024)) {
    console.error(`peerlab signal: --max-message-bytes: expected an integer >= 1024, got '${maxRaw}'`);
    return 2;
  }
  const server = new SignalingServer({ host: values.host, port, ...(maxMessageBytes ? { maxMessageBytes } : {}) });
  try {
    await server.listen();
  } catch (e) {
    console.error(`peerlab signal: cannot listen on ${values.host}:${port}: ${(e as Error).message}`);
    return 1;
  }
  console.log(`peerlab signal: listening on ${server.url} (y-webrtc signaling protocol)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
