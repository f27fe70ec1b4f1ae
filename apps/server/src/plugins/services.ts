import fp from 'fastify-plugin';

/**
 * Every domain plugin, one name for what routes and the cross-cutting plugins (auth, readiness,
 * metrics, syslog) depend on: storage → stores → directory, mail, users → otp; clients.
 */
export default fp(async () => {}, {
  name: 'services',
  dependencies: ['storage', 'stores', 'directory', 'mail', 'users', 'otp', 'clients'],
});
