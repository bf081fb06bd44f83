CREATE TABLE `policy_versions` (
	`version` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`first_loaded_at` integer NOT NULL
);
