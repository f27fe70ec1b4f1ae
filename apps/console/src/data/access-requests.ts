import {
  ACCESS_REQUESTS_TOTAL_HEADER,
  routes,
  type AccessRequest,
  type GenerateOtpBody,
  type RequestStatus,
  type RouteOutput,
} from '@latchkey/contracts';
import { api, apiWithTotal } from '../api';
import { useAsync } from './use-async';

/** How often the pending-request badge asks the server. */
const PENDING_POLL_MS = 5000;

/** The pending access requests the shell polls for its badge, shared with the Access Requests page. */
export interface PendingFeed {
  requests: AccessRequest[] | undefined;
  /** How many requests are pending in all (the server's total; the page may hold fewer). */
  total: number | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** The pending requests, newest first, every 5 seconds while the tab is shown. */
export function usePendingFeed(): PendingFeed {
  const pending = useAsync(
    (signal) => apiWithTotal(routes.listAccessRequests, { query: { status: 'pending' } }, ACCESS_REQUESTS_TOTAL_HEADER, signal),
    [],
    PENDING_POLL_MS,
  );
  return {
    requests: pending.data?.rows,
    // A flood of requests fills the page; the count shown is all of them (the server's total).
    total: pending.data ? (pending.data.total ?? pending.data.rows.length) : undefined,
    error: pending.error,
    loading: pending.loading && !pending.data,
    reload: pending.reload,
  };
}

/** The request with this (normalised) reference, none while there is no reference; again when `refreshKey` changes. */
export function useRequestByReference(reference: string | undefined, refreshKey: number) {
  return useAsync(
    (signal) => (reference ? api(routes.listAccessRequests, { query: { reference } }, signal) : Promise.resolve([])),
    [reference, refreshKey],
  );
}

/** Up to 200 requests, newest first, with this status (any when empty); again when `refreshKey` changes. */
export function useRequestsWithStatus(status: RequestStatus | '', refreshKey: number) {
  return useAsync(
    (signal) => api(routes.listAccessRequests, { query: { ...(status ? { status } : {}), limit: '200' } }, signal),
    [status, refreshKey],
  );
}

/** Approves (the one-time password is emailed at once) or denies a pending request. */
export async function decideRequest(requestId: string, decision: 'approve' | 'deny', comment: string): Promise<void> {
  const route = decision === 'approve' ? routes.approveAccessRequest : routes.denyAccessRequest;
  await api(route, { params: { requestId }, body: comment ? { comment } : {} });
}

/** Issues a one-time password without a request and emails it. */
export function generatePassword(body: GenerateOtpBody): Promise<RouteOutput<typeof routes.generateOtp>> {
  return api(routes.generateOtp, { body });
}
