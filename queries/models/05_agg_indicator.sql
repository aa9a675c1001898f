-- agg_indicator (a macro shared by the marts and the page queries, stored in the snapshot, usable read-only):
-- an indicator over a group of units — the sum for counts and money; for ratios
-- sum(numerator) / sum(denominator) * scale, never an average of percentages. Sums are exact decimals, so a
-- figure does not depend on the order the rows are added in.
-- key: none (macro)
create or replace macro agg_indicator(is_ratio, value, numerator, denominator, scale) as
    case
        when any_value(is_ratio) then
            sum(numerator::decimal(18, 6))::double / nullif(sum(denominator::decimal(18, 6))::double, 0) * any_value(scale)
        else sum(value::decimal(18, 6))::double
    end;
