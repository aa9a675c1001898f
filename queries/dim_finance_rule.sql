-- dim_finance_rule: the whole dimension table (small; for labels, filters and the methods page).
-- grain: as the model dim_finance_rule states.
select * from dim_finance_rule;
