// The trend window as issue 22 found it: the period index joined to the aggregates. A planner
// may read the joined table by what the statement fixes of it alone — the region — so its
// cost grows with the history; the access-path test and the engine's charge hold that.
export const JOINED_PERIOD_WINDOW = `DECLARE $region AS Utf8; DECLARE $period_start AS Date; DECLARE $periods AS Uint64;
SELECT a.*
FROM (
    SELECT region, period_start, period_end FROM region_period
    WHERE region = $region AND period_start <= $period_start
    ORDER BY period_start DESC
    LIMIT $periods
) AS w
JOIN aggregate_metrics AS a
  ON a.region = w.region AND a.period_start = w.period_start AND a.period_end = w.period_end;`;
