import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { GUARD_CHANNEL_MAX_LINE, guardLine, parseGuardRequest, type GuardMessage, type GuardRequest } from '@latchkey/contracts';
import type { ChannelCaller, ChannelHandlers, ChannelPeer } from './guard-host.js';
import type { GuardTransport } from '../lock/guard-link.js';

/** Calls `onLine` for each complete line; false from it, or a line over the limit, closes the socket. */
function readLines(socket: Duplex, onLine: (line: string) => boolean): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!onLine(line)) return void socket.destroy();
    }
    if (buffer.length > GUARD_CHANNEL_MAX_LINE) socket.destroy();
  });
}

/**
 * The guard's end of one connection (the Windows pipe relayed by the helper, and the tests' unix
 * socket alike: any Duplex): lines in,
 * each checked against the contract; the caller is what the host read from the OS.
 */
export function servePeer(socket: Duplex, caller: ChannelCaller, handlers: ChannelHandlers): ChannelPeer {
  const peer: ChannelPeer = {
    caller,
    send: (message: GuardMessage) => {
      if (!socket.destroyed) socket.write(guardLine(message));
    },
    close: () => socket.destroy(),
  };
  socket.on('error', () => undefined);
  socket.on('close', () => handlers.onClose(peer));
  readLines(socket, (line) => {
    const request = parseGuardRequest(line);
    if (!request) {
      handlers.onInvalid(peer);
      return false;
    }
    handlers.onRequest(peer, request);
    return true;
  });
  return peer;
}

/** The lock's end: a connection to the pipe (`\\.\pipe\Latchkey.Guard`) or, in tests, the unix socket. */
export function connectGuardChannel(path: string): Promise<GuardTransport> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const lineListeners = new Set<(line: string) => void>();
    const closeListeners = new Set<() => void>();
    socket.once('error', reject);
    socket.on('close', () => closeListeners.forEach((l) => l()));
    readLines(socket, (line) => {
      lineListeners.forEach((l) => l(line));
      return true;
    });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({
        send: (request: GuardRequest) => void socket.write(guardLine(request)),
        onLine: (listener) => lineListeners.add(listener),
        onClose: (listener) => closeListeners.add(listener),
        close: () => socket.destroy(),
      });
    });
  });
}
