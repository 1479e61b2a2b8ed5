package io.sluice.client;

/**
 * The daemon or the cluster refused this client's handshake ({@code Rejected(AUTHENTICATION_FAILED)}, or Aeron
 * Cluster's {@code AUTHENTICATION_REJECTED}): the client id is not in its credentials file, the secret is not the
 * one stored for it, or the source host is slowed down after repeated failures. The message names the client id and
 * the reason, never the secret. Thrown by {@link SluiceClient#awaitConnected(long)} and {@link SluiceClient#resume}
 * (and by the calls that run an automatic resume of a cluster client); nothing is sent meanwhile, and the next of
 * those calls starts a new handshake.
 */
public final class SluiceAuthenticationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long clientId;
    private final String reason;

    /**
     * @param clientId the client that was refused.
     * @param reason   what the daemon or the cluster said.
     */
    public SluiceAuthenticationException(final long clientId, final String reason)
    {
        super("client " + clientId + " was refused authentication: " + reason);
        this.clientId = clientId;
        this.reason = reason;
    }

    /**
     * @return the client that was refused.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * @return what the daemon or the cluster said, e.g. {@code AUTHENTICATION_FAILED}.
     */
    public String reason()
    {
        return reason;
    }
}
