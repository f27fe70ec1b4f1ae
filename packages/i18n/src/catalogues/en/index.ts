import { lock } from './lock.js';
import { mail } from './mail.js';

/** English: the source catalogue. Its keys are every key; other languages translate each. */
export const en = { 'language.name': 'English', ...lock, ...mail } as const;
export type MessageKey = keyof typeof en;
