export * from './free-port.js';
export * from './inject-fetch.js';
export * from './node-process.js';
export * from './samba.js';
export * from './self-signed.js';
export * from './server-process.js';
export * from './slapd.js';
export * from './smtp-sink.js';
