import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Strict CSP for every page the server serves (console, preview): no inline script or style, no
 * framing. The helmet middleware is built once here: @fastify/helmet built it again for every request
 * (parsing the CSP directives each time), a few percent of a verification's time.
 */
async function securityHeaders(app: FastifyInstance, options: { https: boolean }) {
  const { https } = options;
  const setHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    // Only where the browser reached us over HTTPS (natively, or through a proxy at an https public URL).
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  app.addHook('onRequest', (request, reply, done) => setHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));
}

export default fp(securityHeaders, { name: 'security-headers' });
