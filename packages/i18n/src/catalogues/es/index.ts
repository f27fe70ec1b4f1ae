import type { CatalogueOf } from '../../catalogue.js';
import type { MessageKey } from '../en/index.js';
import { lock } from './lock.js';
import { mail } from './mail.js';

export const es: CatalogueOf<MessageKey> = { 'language.name': 'Español', ...lock, ...mail };
