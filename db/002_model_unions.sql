-- 002_model_unions: reserved for its feature; filled in by that feature's work.
SELECT 1;
