-- Membership and grain storage for the ServingCluster example, on PostgreSQL 15 or later.
--
-- Written for this project to the query contract of the Orleans ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet
-- and Microsoft.Orleans.Persistence.AdoNet, invariant "Npgsql"). What is fixed by those providers: the table they read
-- their queries from (SELECT QueryKey, QueryText FROM OrleansQuery), the query keys, the parameter names they bind,
-- the column names they read back and what a query's result means. Everything else (tables, columns, the statements)
-- is this project's own. Only clustering and grain state are here: no reminders, no streams, and no DeleteStorageKey
-- (the storage provider then refuses DeleteStateOnClear = true at start-up, with its own message).
--
-- Each query is one statement, so it is atomic without an explicit transaction: a version check and the change it
-- guards commit together or not at all.

-- The provider's catalogue: one row per query key.
CREATE TABLE OrleansQuery
(
    QueryKey  text PRIMARY KEY,
    QueryText text NOT NULL
);

-- Membership. One row per cluster holds the table version, the provider's optimistic-concurrency token: every insert
-- or change of a silo row must name the version it read and moves it on by one; heartbeats and clean-up leave it.
CREATE TABLE r2dn_cluster
(
    cluster_id text PRIMARY KEY,
    version    integer NOT NULL DEFAULT 0
);

-- One row per silo incarnation (address, port and generation). suspicions is the provider's own encoding of the
-- suspecting silos and times ("silo,time|silo,time"), kept as text because only the provider reads it.
CREATE TABLE r2dn_silo
(
    cluster_id   text    NOT NULL REFERENCES r2dn_cluster ON DELETE CASCADE,
    address      text    NOT NULL,
    port         integer NOT NULL,
    generation   integer NOT NULL,
    silo_name    text    NOT NULL,
    host_name    text    NOT NULL,
    status       integer NOT NULL,   -- Orleans' SiloStatus: 3 active, 6 dead
    gateway_port integer NOT NULL,   -- 0 when the silo is no gateway
    suspicions   text,
    started_at   timestamptz NOT NULL,
    alive_at     timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- A silo row under the column names the clustering provider reads back: the one place they are spelled out.
CREATE VIEW r2dn_silo_as_read AS
SELECT cluster_id, address AS "Address", port AS "Port", generation AS "Generation", silo_name AS "SiloName",
       host_name AS "HostName", status AS "Status", gateway_port AS "ProxyPort", suspicions AS "SuspectTimes",
       started_at AS "StartTime", alive_at AS "IAmAliveTime"
FROM r2dn_silo;

-- Grain state. A grain is named by its service, its type and its key as the provider splits it (two 64-bit halves
-- and an optional text part); the version is the grain's ETag. A cleared state keeps its row, with no payload, so that
-- the version goes on rising and a stale writer still fails.
CREATE TABLE r2dn_grain_state
(
    service_id text    NOT NULL,
    grain_type text    NOT NULL,
    key_n0     bigint  NOT NULL,
    key_n1     bigint  NOT NULL,
    key_text   text,
    version    integer NOT NULL,
    payload    bytea,
    UNIQUE NULLS NOT DISTINCT (service_id, grain_type, key_n0, key_n1, key_text)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Creates the cluster's version row if it is missing; returns whether this call created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO r2dn_cluster (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT count(*) > 0 FROM created
$q$),

-- The version row joined with every silo row. A cluster without silos still gives one row (its version, the silo
-- columns null): the provider takes the version from the first row and a row without StartTime as "no silo".
('MembershipReadAllKey', $q$
SELECT c.version AS "Version", s.*
FROM r2dn_cluster c
LEFT JOIN r2dn_silo_as_read s ON s.cluster_id = c.cluster_id
WHERE c.cluster_id = @DeploymentId
$q$),

-- The same for one silo: one row, the silo columns null when it has no row.
('MembershipReadRowKey', $q$
SELECT c.version AS "Version", s.*
FROM r2dn_cluster c
LEFT JOIN r2dn_silo_as_read s ON s.cluster_id = c.cluster_id
    AND s."Address" = @Address AND s."Port" = @Port AND s."Generation" = @Generation
WHERE c.cluster_id = @DeploymentId
$q$),

-- Adds a silo row if the version is still the one the caller read and the silo has no row yet; moves the version on.
-- Returns true when the row was added. Concurrent writers queue on the version row, and the second one then finds the
-- version moved and changes nothing.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE r2dn_cluster SET version = version + 1
    WHERE cluster_id = @DeploymentId AND version = @Version
      AND NOT EXISTS (SELECT FROM r2dn_silo
                      WHERE cluster_id = @DeploymentId
                        AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id),
added AS (
    INSERT INTO r2dn_silo (cluster_id, address, port, generation, silo_name, host_name, status, gateway_port,
                           started_at, alive_at)
    SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1)
SELECT count(*) > 0 FROM added
$q$),

-- Changes a silo's status, suspicions and heartbeat if the version is still the one the caller read and the silo has
-- a row; moves the version on. Returns true when the row was changed.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE r2dn_cluster SET version = version + 1
    WHERE cluster_id = @DeploymentId AND version = @Version
      AND EXISTS (SELECT FROM r2dn_silo
                  WHERE cluster_id = @DeploymentId
                    AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id),
changed AS (
    UPDATE r2dn_silo s SET status = @Status, suspicions = @SuspectTimes, alive_at = @IAmAliveTime
    FROM bumped
    WHERE s.cluster_id = bumped.cluster_id
      AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
    RETURNING 1)
SELECT count(*) > 0 FROM changed
$q$),

-- A heartbeat: the silo's alive time only, the version untouched.
('UpdateIAmAlivetimeKey', $q$
UPDATE r2dn_silo SET alive_at = @IAmAliveTime
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- The gateways a client may connect to: silos with the status asked for (active) that listen for clients.
('GatewaysQueryKey', $q$
SELECT "Address", "ProxyPort", "Generation"
FROM r2dn_silo_as_read
WHERE cluster_id = @DeploymentId AND "Status" = @Status AND "ProxyPort" > 0
$q$),

-- Forgets dead silos whose last heartbeat is older than the provider's cut-off; the version untouched.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM r2dn_silo
WHERE cluster_id = @DeploymentId AND status = 6 AND alive_at < @IAmAliveTime
$q$),

-- Forgets the whole cluster: its version row, and with it (cascade) every silo row.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM r2dn_cluster WHERE cluster_id = @DeploymentId
$q$),

-- A grain's state and version: no row when it was never written; a row with a null payload when it was cleared. The
-- key's text part matches null to null. The provider's hash parameters (GrainIdHash, GrainTypeHash) are not needed:
-- the unique index on the grain's name serves the look-up.
('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM r2dn_grain_state
WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1
  AND (key_text = @GrainIdExtensionString OR (key_text IS NULL AND @GrainIdExtensionString IS NULL))
$q$),

-- Stores a grain's state. With no version (the grain never saw a row) it inserts version 1, unless a row appeared
-- meanwhile; with a version it replaces the row holding exactly that version and moves it on by one. Always one row:
-- the new version, or null when the check failed, which the provider reports as a version conflict.
('WriteToStorageKey', $q$
WITH replaced AS (
    UPDATE r2dn_grain_state SET payload = @PayloadBinary, version = version + 1
    WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1
      AND (key_text = @GrainIdExtensionString OR (key_text IS NULL AND @GrainIdExtensionString IS NULL))
      AND version = @GrainStateVersion
    RETURNING version),
created AS (
    INSERT INTO r2dn_grain_state (service_id, grain_type, key_n0, key_n1, key_text, version, payload)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, 1, @PayloadBinary
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT (SELECT version FROM replaced UNION ALL SELECT version FROM created) AS "NewGrainStateVersion"
$q$),

-- Clears a grain's state (the row stays, without payload) if it still holds the caller's version; one row: the new
-- version, or null on a conflict.
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE r2dn_grain_state SET payload = NULL, version = version + 1
    WHERE service_id = @ServiceId AND grain_type = @GrainTypeString AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1
      AND (key_text = @GrainIdExtensionString OR (key_text IS NULL AND @GrainIdExtensionString IS NULL))
      AND version = @GrainStateVersion
    RETURNING version)
SELECT (SELECT version FROM cleared) AS "NewGrainStateVersion"
$q$);
