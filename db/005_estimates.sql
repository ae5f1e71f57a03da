-- 005_estimates: マイカー共済 estimate campaigns and estimates.
-- Placeholder while the feature is built; replaced by its schema in the same session.
SELECT 1;
