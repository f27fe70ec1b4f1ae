-- 0110: what each Client is (contracts ClientRoleSchema). 'lock': a user profile's lock, enrolled by
-- itself; 'machine': a computer's lock, enrolled by the elevated installer (its offline key stays in
-- the machine's protected folder and is never sent with the policy); 'guard': the SYSTEM guard, which
-- may only ask for unlocked sessions. Clients enrolled before this are locks; a guard enrolled before
-- it enrolls again as a guard (its old row is then a duplicate an admin removes).
ALTER TABLE clients ADD COLUMN role TEXT NOT NULL DEFAULT 'lock' CHECK (role IN ('lock', 'machine', 'guard'));
