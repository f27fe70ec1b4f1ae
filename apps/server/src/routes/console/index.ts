import type { FastifyInstance } from 'fastify';

/**
 * Serves the built Management Tool at /console. (Placeholder until the console work fills it in.)
 */
export default async function consoleRoutes(_app: FastifyInstance): Promise<void> {}
