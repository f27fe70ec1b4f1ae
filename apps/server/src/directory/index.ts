// The directory module: the only code that knows about LDAP and ldapjs.
export { parseDirectoryConfig, type DirectoryConfig } from './directory-config.js';
export {
  createDirectory,
  DirectoryUnavailableError,
  MAX_NESTING,
  type Directory,
  type DirectoryLookup,
  type GroupMembership,
} from './ldap-directory.js';
export { escapeFilterValue } from './ldap-filter.js';
export { osUserName } from './os-user.js';
