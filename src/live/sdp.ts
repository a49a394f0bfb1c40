/**
 * The ICE candidate lines of a session description (RFC 8839 `a=candidate:`), for the offerer that
 * sends them after its answer is applied (link.ts, rtc-node.ts).
 */

/** An SDP without its candidate lines (and without end-of-candidates: more will come). */
export function withoutCandidates(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('a=candidate:') && l !== 'a=end-of-candidates')
    .join('\r\n');
}

/** The candidate lines of an SDP (without the 'a='), in order. */
export function candidatesOf(sdp: string): string[] {
  return sdp
    .split(/\r?\n/)
    .filter((l) => l.startsWith('a=candidate:'))
    .map((l) => l.slice(2));
}
