import type { FastifyInstance } from 'fastify';

/**
 * The lock-window preview at /preview/lock, registered only when LATCHKEY_DEMO=1.
 * (Placeholder until the Client work fills it in.)
 */
export default async function previewRoutes(_app: FastifyInstance): Promise<void> {}
