package io.sluice.client;

import io.sluice.protocol.auth.AuthProof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The authentication part of a {@link SluiceClient.Context}: this client's secret and, for a standalone daemon, the
 * response channel its results come on. Without a secret (the default) the client does not authenticate and reads
 * the daemon's shared egress, as a daemon without {@code sluice.auth.file} expects. With one, the client id must be
 * the fixed id the credentials file holds the secret for; the client proves it holds the secret (the secret never
 * crosses the wire, and never appears in a message or a string of this context) before it sends anything. Checked
 * by {@link SluiceClientContext#conclude()}. The control path only.
 */
public abstract sealed class ClientAuthSettings permits SluiceClientContext
{
    /** Channel on which an authenticating daemon client receives its results unless told otherwise. */
    public static final String DEFAULT_RESPONSE_CHANNEL = "aeron:udp?endpoint=localhost:0";

    /** Longest response channel a Connect carries, resolved port included. */
    public static final int MAX_RESPONSE_CHANNEL_LENGTH = 512;

    private String secretHex;
    private Path secretFile;
    private byte[] secret;
    private String responseChannel = DEFAULT_RESPONSE_CHANNEL;
    private int responseStreamId;

    ClientAuthSettings()
    {
    }

    /**
     * @return true when a secret is set ({@link #secret(String)} or {@link #secretFile(Path)}): the client
     * authenticates.
     */
    public boolean hasSecret()
    {
        return null != secret || null != secretHex || null != secretFile;
    }

    /**
     * @param hex this client's secret as 64 hex digits, as {@code sluice auth add-client} printed it for
     *            {@link SluiceClientContext#clientId(long)}. With a secret the client authenticates before it
     *            sends anything, and its results come on its own {@link #responseChannel(String)} (daemon) or
     *            cluster session. Default none: no authentication. Not with {@link #secretFile(Path)}.
     * @return this.
     */
    public SluiceClient.Context secret(final String hex)
    {
        this.secretHex = hex;
        this.secret = null;
        return self();
    }

    /**
     * @param file a file holding this client's secret as 64 hex digits (surrounding white space ignored), read by
     *             {@link SluiceClientContext#conclude()}; keep it readable by the application's user only. Not with
     *             {@link #secret(String)}.
     * @return this.
     */
    public SluiceClient.Context secretFile(final Path file)
    {
        this.secretFile = file;
        this.secret = null;
        return self();
    }

    /**
     * @return the file the secret is read from, null when none was set.
     */
    public Path secretFile()
    {
        return secretFile;
    }

    /**
     * @return the channel an authenticating daemon client receives its results on.
     */
    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * @param channel the channel on which an authenticating daemon client receives its results (and, with the
     *                {@code subscribe} permission, window results and alerts), named to the daemon in its Connect:
     *                {@code aeron:udp?endpoint=<this host's address the daemon can reach>:0} (port 0: any free port,
     *                resolved before it is sent); default {@value #DEFAULT_RESPONSE_CHANNEL}, which only a daemon on
     *                this host reaches. At most {@value #MAX_RESPONSE_CHANNEL_LENGTH} characters. Used only with a
     *                secret; a cluster client's results come on its cluster egress channel.
     * @return this.
     */
    public SluiceClient.Context responseChannel(final String channel)
    {
        this.responseChannel = channel;
        return self();
    }

    /**
     * @return the response channel's stream id (the egress stream id unless set; 0 before conclude when unset).
     */
    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * @param streamId the response channel's stream id, &gt; 0; default the egress stream id.
     * @return this.
     */
    public SluiceClient.Context responseStreamId(final int streamId)
    {
        this.responseStreamId = streamId;
        return self();
    }

    /**
     * @return the concluded secret's bytes (not a copy); null without one or before conclude.
     */
    byte[] secretBytes()
    {
        return secret;
    }

    /**
     * Check the authentication settings and read the secret (from its file).
     *
     * @param clientId       the context's client id.
     * @param egressStreamId the context's egress stream id, the response stream id's default.
     * @throws IllegalArgumentException naming the setting, its value (never the secret) and what is allowed.
     */
    void concludeAuth(final long clientId, final int egressStreamId)
    {
        if (0 == responseStreamId)
        {
            responseStreamId = egressStreamId;
        }
        if (responseStreamId < 0)
        {
            throw new IllegalArgumentException("responseStreamId=" + responseStreamId + " must be > 0");
        }
        if (null == responseChannel ||
            !(responseChannel.startsWith("aeron:udp") || responseChannel.startsWith("aeron:ipc")) ||
            responseChannel.length() > MAX_RESPONSE_CHANNEL_LENGTH)
        {
            throw new IllegalArgumentException("responseChannel=" + responseChannel + " must be an aeron:udp or " +
                "aeron:ipc channel of at most " + MAX_RESPONSE_CHANNEL_LENGTH + " characters");
        }
        if (null != secretHex && null != secretFile)
        {
            throw new IllegalArgumentException("secret and secretFile=" + secretFile + " are both set: set one");
        }
        if (null != secretHex)
        {
            secret = parseSecret("secret", secretHex);
            secretHex = null;
        }
        else if (null != secretFile)
        {
            final String text;
            try
            {
                text = Files.readString(secretFile, StandardCharsets.US_ASCII).trim();
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new IllegalArgumentException("secretFile=" + secretFile + " cannot be read (" +
                    ex.getClass().getSimpleName() + "): it must be a readable file holding the 64 hex digits");
            }
            secret = parseSecret("secretFile=" + secretFile, text);
        }
        if (null != secret && 0 == clientId)
        {
            throw new IllegalArgumentException("clientId=0 with a secret: set the non-zero client id the " +
                "credentials file holds the secret for");
        }
    }

    private static byte[] parseSecret(final String setting, final String hex)
    {
        try
        {
            return AuthProof.fromHex(hex, AuthProof.SECRET_LENGTH);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(setting + ": the secret " + ex.getMessage() +
                ", as sluice auth add-client printed it");
        }
    }

    private SluiceClient.Context self()
    {
        return (SluiceClient.Context)this;
    }
}
