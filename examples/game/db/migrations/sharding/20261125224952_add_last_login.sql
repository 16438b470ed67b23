-- Add column "last_login_at" to table: "users"
ALTER TABLE `users` ADD COLUMN `last_login_at` datetime NULL;
