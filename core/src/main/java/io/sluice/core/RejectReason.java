package io.sluice.core;

/**
 * Why an input was not processed. The numbers are the wire values of the {@code RejectReason} enum in the SBE
 * schema ({@code protocol/src/main/resources/sbe/sluice-schema.xml}); the server's ProtocolTest checks both agree.
 */
public final class RejectReason
{
    /** The frame is shorter than the message header or than its declared block. */
    public static final int TRUNCATED = 1;
    /** The header's schema id is not Sluice's. */
    public static final int WRONG_SCHEMA = 2;
    /** The header's schema version is newer than this daemon understands. */
    public static final int UNSUPPORTED_VERSION = 3;
    /** The template id is not an ingress message. */
    public static final int UNKNOWN_TEMPLATE = 4;
    /** The block length does not match the template's. */
    public static final int BAD_BLOCK_LENGTH = 5;
    /** The value is NaN or infinite. */
    public static final int INVALID_VALUE = 6;
    /** The timestamp lies outside {@code sluice.event.timestamp-min .. timestamp-max}. */
    public static final int TIMESTAMP_OUT_OF_RANGE = 7;
    /** The key is new and its processor's state table is full. */
    public static final int STATE_FULL = 8;
    /** The event's window has already closed. */
    public static final int LATE = 9;
    /** The event's correlation id is not above the highest its client has already had accepted: a resend of an
     * event that was applied (correlation ids increase per client). */
    public static final int DUPLICATE = 10;
    /** The client id is new and the daemon already tracks {@code sluice.client.capacity} clients. */
    public static final int CLIENTS_FULL = 11;

    /** The client's stream was picked up mid-way (the daemon restarted while the client kept publishing, so what
     * it sent meanwhile was lost): its Events are refused until it sends a Resume and resends from its mark. */
    public static final int RESUME_REQUIRED = 12;

    /** An EventBatch holds more events than {@code sluice.batch.max-events}: the whole batch is refused. */
    public static final int BATCH_TOO_LARGE = 13;

    /** An EventBatch whose event count does not match its length, whose events are shorter than 32 bytes, or whose
     * result mode is unknown: the whole batch is refused. */
    public static final int BATCH_MALFORMED = 14;

        /**
     * Authentication is on and the message's session has not authenticated, or authenticated as another client id:
     * the message changed nothing (schema version 4).
     */
    public static final int UNAUTHENTICATED = 15;

    /**
     * A Connect or Authenticate was refused: unknown client id, wrong proof, no pending challenge, or a source slowed
     * down after repeated failures (schema version 4).
     */
    public static final int AUTHENTICATION_FAILED = 16;

    /** The session's client lacks the permission the message needs: send, query or admin (schema version 4). */
    public static final int NOT_PERMITTED = 17;

/**
     * Topology mode: the key's key group is not owned by this appliance (another owns it, or none does while a move
     * is under way); the input changed nothing, and the answer carries the appliance's topology epoch (schema
     * version 5).
     */
    public static final int NOT_OWNER = 18;

    /** One more than the largest reason code: size for per-reason arrays. */
    public static final int LIMIT = 19;

    private RejectReason()
    {
    }

    /**
     * @param reason a reason code.
     * @return its name, for logs and counter labels.
     */
    public static String name(final int reason)
    {
        switch (reason)
        {
            case TRUNCATED: return "TRUNCATED";
            case WRONG_SCHEMA: return "WRONG_SCHEMA";
            case UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
            case UNKNOWN_TEMPLATE: return "UNKNOWN_TEMPLATE";
            case BAD_BLOCK_LENGTH: return "BAD_BLOCK_LENGTH";
            case INVALID_VALUE: return "INVALID_VALUE";
            case TIMESTAMP_OUT_OF_RANGE: return "TIMESTAMP_OUT_OF_RANGE";
            case STATE_FULL: return "STATE_FULL";
            case LATE: return "LATE";
            case DUPLICATE: return "DUPLICATE";
            case CLIENTS_FULL: return "CLIENTS_FULL";
            case RESUME_REQUIRED: return "RESUME_REQUIRED";
            case BATCH_TOO_LARGE: return "BATCH_TOO_LARGE";
            case BATCH_MALFORMED: return "BATCH_MALFORMED";
            case UNAUTHENTICATED: return "UNAUTHENTICATED";
            case AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
            case NOT_PERMITTED: return "NOT_PERMITTED";
            case NOT_OWNER: return "NOT_OWNER";
            default: return "UNKNOWN(" + reason + ")";
        }
    }
}
