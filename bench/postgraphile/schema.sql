-- What PostGraphile needs to give the benchmark's answers, written as its documentation
-- advises: custom queries (set-returning functions) and computed columns. Its generated
-- schema has no condition or orderBy on columns without an index (so no "not deleted", no
-- order by name), and no order through a relation (residents by their household's address).
-- Created in the throwaway benchmark database only, after changlang's migrations; changlang
-- never reads them.

-- residentRegister(community): the register, household by household, then by name.
CREATE OR REPLACE FUNCTION resident_register(community uuid) RETURNS SETOF resident
LANGUAGE sql STABLE AS $$
  SELECT r.* FROM resident r JOIN household h ON h.id = r.household_id
  WHERE r.community_id = community AND NOT r.deleted
    AND h.community_id = community AND NOT h.deleted
  ORDER BY h.sort_key, r.name, r.id
$$;

-- gridTree(community): top grids, then each grid's micro-grids, grid by grid.
CREATE OR REPLACE FUNCTION grid_tree(community uuid) RETURNS SETOF grid
LANGUAGE sql STABLE AS $$
  SELECT g.* FROM grid g LEFT JOIN grid p ON p.id = g.parent_id
  WHERE g.community_id = community AND NOT g.deleted
  ORDER BY g.parent_id IS NOT NULL, coalesce(p.sort_key, g.sort_key), coalesce(p.id, g.id),
    g.sort_key, g.id
$$;

-- Grid.liveChildren, Grid.liveHouseholds, Household.liveResidents: without tombstones, in order.
CREATE OR REPLACE FUNCTION grid_live_children(g grid) RETURNS SETOF grid
LANGUAGE sql STABLE AS $$
  SELECT c.* FROM grid c WHERE c.parent_id = g.id AND NOT c.deleted ORDER BY c.sort_key, c.id
$$;

CREATE OR REPLACE FUNCTION grid_live_households(g grid) RETURNS SETOF household
LANGUAGE sql STABLE AS $$
  SELECT h.* FROM household h WHERE h.grid_id = g.id AND NOT h.deleted ORDER BY h.sort_key, h.id
$$;

CREATE OR REPLACE FUNCTION household_live_residents(h household) RETURNS SETOF resident
LANGUAGE sql STABLE AS $$
  SELECT r.* FROM resident r WHERE r.household_id = h.id AND NOT r.deleted ORDER BY r.name, r.id
$$;

-- proposalLedger(community): 台账, oldest first; Proposal.overdue as the ledger judges it.
CREATE OR REPLACE FUNCTION proposal_ledger(community uuid) RETURNS SETOF proposal
LANGUAGE sql STABLE AS $$
  SELECT p.* FROM proposal p WHERE p.community_id = community AND NOT p.deleted
  ORDER BY p.submitted_on, p.id
$$;

CREATE OR REPLACE FUNCTION proposal_overdue(p proposal) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT r.deadline < (now() AT TIME ZONE 'UTC')::date
    AND p.status IN ('deliberated', 'in_progress', 'reported')
    FROM resolution r WHERE r.proposal_id = p.id), false)
$$;

-- Vote.counted(choice): counted ballots (of one choice, or all when choice is null).
CREATE OR REPLACE FUNCTION vote_counted(v vote, choice text) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT count(*) FROM ballot b
  WHERE b.vote_id = v.id AND NOT b.superseded AND ($2 IS NULL OR b.choice = $2)
$$;
