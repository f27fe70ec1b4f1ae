/** Where this Windows session is shown: on the console, over RDP, or nowhere (disconnected). */
export type RemoteState = 'local' | 'remote' | 'disconnected';

/**
 * Reads `qwinsta` (query session) output: the line marked `>` is this session. `rdp-tcp#N` is a
 * remote session; state `Disc` is disconnected. Undefined when there is no such line.
 */
export function parseQwinsta(output: string): RemoteState | undefined {
  const line = output.split(/\r?\n/).find((l) => l.startsWith('>'));
  if (!line) return undefined;
  if (/\sDisc(\s|$)/i.test(line)) return 'disconnected';
  return /^>rdp-tcp/i.test(line) ? 'remote' : 'local';
}

/** The activity event for a change of remote state, if it is one. */
export function remoteTransition(
  previous: RemoteState | undefined,
  next: RemoteState | undefined,
): 'remote.connected' | 'remote.disconnected' | undefined {
  if (!previous || !next || previous === next) return undefined;
  if (next === 'remote') return 'remote.connected';
  if (previous === 'remote') return 'remote.disconnected';
  return undefined;
}
