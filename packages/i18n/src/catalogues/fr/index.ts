import type { CatalogueOf } from '../../catalogue.js';
import type { MessageKey } from '../en/index.js';
import { lock } from './lock.js';
import { mail } from './mail.js';

export const fr: CatalogueOf<MessageKey> = { 'language.name': 'Français', ...lock, ...mail };
