-- The name customers see on a member's replies (`null`: the widget's agent name).
ALTER TABLE members ADD COLUMN display_name TEXT;
