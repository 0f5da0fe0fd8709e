"""Reads of the dashboard: aggregates over the user's territories, a constant number of queries
each, whatever the data size. One module per concern:

- `scope`: which territories and which period a request covers;
- `referrals`: counts, funnel, weeks, top capteurs, capteur kinds, first-contact delay;
- `network`: capteurs by activity and stage, silent partners, the map, visits, a capteur's
  history;
- `scans`: landing page scans, and scans → referrals per code;
- `indicators`: the funder indicators per month and per territory (the exports);
- `exports`: the pseudonymised rows of the referral export.

The definitions of what is counted are in docs/indicators.md.
"""
