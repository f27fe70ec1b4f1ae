import { health } from './health.js';
import { enroll, getPolicy } from './client.js';
import { cancelOtpRequest, createOtpRequest, getOtpRequest, resendOtp, verifyOtp } from './otp.js';
import { endSession, heartbeat } from './sessions.js';
import { getServerKey, getUnlockedSessions, reportVerdictFailures } from './verdicts.js';
import { listSessionEvents, postSessionEvents } from './activity.js';
import { listClientOsUsers } from './client-os-users.js';
import {
  adminLogin,
  adminLogout,
  adminMe,
  approveAccessRequest,
  clearLockout,
  createUser,
  deleteClient,
  deleteUser,
  denyAccessRequest,
  generateOtp,
  getSettings,
  listAccessRequests,
  listAudit,
  listClients,
  listLockouts,
  listSessions,
  listUsers,
  patchClient,
  putSettings,
  updateUser,
} from './admin.js';

/** Every route of API v1, by name. */
export const routes = {
  health,
  enroll,
  getPolicy,
  createOtpRequest,
  getOtpRequest,
  resendOtp,
  cancelOtpRequest,
  verifyOtp,
  heartbeat,
  endSession,
  adminLogin,
  adminLogout,
  adminMe,
  getSettings,
  putSettings,
  listClients,
  patchClient,
  deleteClient,
  listSessions,
  listAccessRequests,
  approveAccessRequest,
  denyAccessRequest,
  generateOtp,
  listUsers,
  createUser,
  updateUser,
  deleteUser,
  listAudit,
  listLockouts,
  clearLockout,
  reportVerdictFailures,
  getUnlockedSessions,
  getServerKey,
  postSessionEvents,
  listSessionEvents,
  listClientOsUsers,
} as const;
export type RouteName = keyof typeof routes;
