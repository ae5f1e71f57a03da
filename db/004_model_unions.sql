-- 004_model_unions: model-union (加入拡大モデル単組) designations per fiscal year.
-- Placeholder while the feature is built; replaced by its schema in the same session.
SELECT 1;
