import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import cookie from '@fastify/cookie';
import { hostname } from 'node:os';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SAFE_TEXT_FORMATS } from '@latchkey/contracts';
import './types.js';
import type { Config } from './config.js';
import { readTls } from './tls.js';
import { systemClock, type Clock } from './clock.js';
import storage from './plugins/storage.js';
import stores from './plugins/stores.js';
import mail from './plugins/mail.js';
import users from './plugins/users.js';
import otp from './plugins/otp.js';
import clients from './plugins/clients.js';
import services from './plugins/services.js';
import auth from './plugins/auth.js';
import rateLimits from './plugins/rate-limits.js';
import securityHeaders from './plugins/security-headers.js';
import errorHandler, { frameworkErrors } from './plugins/error-handler.js';
import directory from './plugins/directory.js';
import lockDecisionRoutes from './routes/lock-decision/index.js';
import readiness from './plugins/readiness.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import syslog from './plugins/syslog.js';
import healthRoutes from './routes/health.js';
import clientRoutes, { offlineReportRoutes } from './routes/client/index.js';
import verdictRoutes from './routes/client/verdicts.js';
import otpRoutes from './routes/otp/index.js';
import sessionRoutes from './routes/sessions/index.js';
import adminAuthRoutes from './routes/admin/auth.js';
import settingsRoutes from './routes/admin/settings.js';
import adminClientRoutes from './routes/admin/clients.js';
import adminSessionRoutes from './routes/admin/sessions.js';
import accessRequestRoutes from './routes/admin/access-requests.js';
import userRoutes from './routes/admin/users.js';
import auditRoutes from './routes/admin/audit.js';
import lockoutRoutes from './routes/admin/lockouts.js';
import offlineUnlockRoutes from './routes/admin/offline-unlocks.js';
import directoryStatusRoutes from './routes/admin/directory.js';
import consoleRoutes from './routes/console/index.js';
import previewRoutes from './routes/preview/index.js';

export interface BuildAppOptions {
  config: Config;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** Where first-start secrets (admin password, enrollment key) are printed. */
  announce?: (line: string) => void;
  /** Told of every route as it is registered (the route conformance test lists them this way). */
  onRoute?: (route: RouteOptions) => void;
}

export const MAX_BODY_BYTES = 16 * 1024;

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  // Every log line says which node wrote it (several may serve one database).
  const logBase = { pid: process.pid, hostname: hostname(), node: config.nodeName };
  if (options.logger !== null && typeof options.logger === 'object') options = { ...options, logger: { base: logBase, ...options.logger } };
  const app = Fastify({
    // The type stays the http one: the routes see the same request and reply either way.
    ...(config.tls ? { https: readTls(config.tls) } : {}),
    logger: options.logger ?? {
      level: config.logLevel,
      base: logBase,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
        censor: '[hidden]',
      },
    },
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    requestTimeout: config.requestTimeoutMs,
    // Node checks request deadlines on this interval (30 s by default), so a short timeout needs it shorter.
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 4))) },
    connectionTimeout: Math.max(60_000, config.requestTimeoutMs),
    keepAliveTimeout: 10_000,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    frameworkErrors,
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        allErrors: false,
        formats: { ...SAFE_TEXT_FORMATS },
      },
    },
    // The response serializer checks unions with its own Ajv, which must know the same formats.
    serializerOpts: { ajv: { formats: { ...SAFE_TEXT_FORMATS } } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Node's requestTimeout stops counting once the headers are in, so a body trickled a byte at a
  // time would hold its socket for as long as the sender likes. The body gets the same deadline.
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.addHook('onRequest', async (request) => {
    const raw = request.raw;
    if (raw.complete || (raw.headers['content-length'] === undefined && raw.headers['transfer-encoding'] === undefined)) return;
    const timer = setTimeout(() => {
      if (!raw.complete) raw.destroy();
    }, config.requestTimeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    raw.once('close', clear);
  });

  await app.register(errorHandler);
  await app.register(securityHeaders, { https: config.tls !== undefined || config.publicUrl.startsWith('https:') });
  await app.register(cookie);
  const announce = options.announce ?? ((line: string) => console.log(line));
  await app.register(storage, { config, clock: options.clock ?? systemClock, announce });
  await app.register(stores);
  await app.register(directory);
  await app.register(mail);
  await app.register(users, { announce });
  await app.register(otp);
  await app.register(clients);
  await app.register(services);
  await app.register(readiness);
  await app.register(metrics);
  await app.register(openapi);
  await app.register(syslog);
  await app.register(auth);
  await app.register(rateLimits);

  await app.register(healthRoutes);
  await app.register(clientRoutes);
  await app.register(verdictRoutes);
  await app.register(lockDecisionRoutes);
  await app.register(otpRoutes);
  await app.register(sessionRoutes);
  await app.register(adminAuthRoutes);
  await app.register(settingsRoutes);
  await app.register(adminClientRoutes);
  await app.register(adminSessionRoutes);
  await app.register(accessRequestRoutes);
  await app.register(userRoutes);
  await app.register(auditRoutes);
  await app.register(lockoutRoutes);
  await app.register(offlineReportRoutes);
  await app.register(offlineUnlockRoutes);
  await app.register(directoryStatusRoutes);
  await app.register(consoleRoutes);
  if (config.demo) await app.register(previewRoutes);

  return app;
}
