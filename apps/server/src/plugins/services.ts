import fp from 'fastify-plugin';

/**
 * Every domain plugin, one name for what routes and the cross-cutting plugins (auth, readiness,
 * metrics, syslog, the directory) depend on: storage → stores → mail, users → otp; clients.
 */
export default fp(async () => {}, { name: 'services', dependencies: ['storage', 'stores', 'mail', 'users', 'otp', 'clients'] });
