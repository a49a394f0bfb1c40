/**
 * One signaling message from a client, read and checked before anything acts on it (pure, no I/O):
 * JSON of the y-webrtc protocol (`subscribe`, `unsubscribe`, `publish`, `ping`; other types are ignored,
 * as y-webrtc's server does). Never throws: a bad message comes back as `{ error }`, the reason the
 * server closes that one connection with.
 *
 * Nesting is bounded on the raw text, before `JSON.parse`: a message nested 6,000 deep (12 KB) parses,
 * but re-serializing it to forward it overflows the stack, and that used to end the server.
 */

export interface FrameLimits {
  /** Deepest `[`/`{` nesting accepted. */
  maxDepth: number;
  /** Topics one message may name, and one connection may hold. */
  maxTopics: number;
  /** Longest topic name (characters). */
  maxTopicLength: number;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = { maxDepth: 32, maxTopics: 256, maxTopicLength: 512 };

export type SignalingFrame =
  | { type: 'subscribe' | 'unsubscribe'; topics: string[] }
  | { type: 'publish'; topic: string; message: Record<string, unknown> }
  | { type: 'ping' }
  | { type: 'ignored' }
  | { error: string };

/** Whether JSON text nests `[`/`{` deeper than `max` (brackets inside strings do not count). Linear. */
export function jsonTooDeep(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function topicList(v: unknown, limits: FrameLimits): string[] | null {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > limits.maxTopics) return null;
  for (const t of v) if (typeof t !== 'string' || t.length > limits.maxTopicLength) return null;
  return v as string[];
}

export function readFrame(text: string, limits: FrameLimits = DEFAULT_FRAME_LIMITS): SignalingFrame {
  if (jsonTooDeep(text, limits.maxDepth)) return { error: `nested deeper than ${limits.maxDepth}` };
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { error: 'malformed JSON' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { error: 'message is not an object' };
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = topicList(m.topics, limits);
      return topics ? { type: m.type, topics } : { error: 'topics must be an array of strings' };
    }
    case 'publish':
      if (typeof m.topic !== 'string' || m.topic.length > limits.maxTopicLength) return { error: 'publish: topic must be a string' };
      return { type: 'publish', topic: m.topic, message: m };
    case 'ping':
      return { type: 'ping' };
    default:
      return { type: 'ignored' };
  }
}
