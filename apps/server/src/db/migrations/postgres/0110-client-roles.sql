-- Twin of ../0110-client-roles.sql: what each Client is ('lock', 'machine' or 'guard').
ALTER TABLE clients ADD COLUMN role text NOT NULL DEFAULT 'lock'
  CONSTRAINT clients_role_check CHECK (role IN ('lock', 'machine', 'guard'));
