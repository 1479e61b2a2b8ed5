package io.sluice.server.auth;

/**
 * What an authenticated client with {@code admin} may ask a daemon for over the wire ({@code AdminRequest}); the
 * daemon implements it with the same hand-overs its commands use. Called on the ingress thread: none blocks.
 */
public interface AdminActions
{
    /**
     * Ask for a snapshot, as {@code sluice snapshot} does.
     *
     * @return null when asked, else why not (e.g. no journal).
     */
    String snapshot();

    /**
     * Validate alert rules and hand them to the rule swap, as {@code sluice rules apply} does.
     *
     * @param properties the rules as properties text ({@code sluice.alert.*} keys).
     * @return the request's id, not 0, to follow with {@link #outcome}.
     * @throws RuntimeException with the reason when the rules are bad (nothing handed over).
     */
    long applyRules(String properties);

    /**
     * Ask for the credentials file to be read again, off the ingress thread, as {@code sluice auth reload} does.
     *
     * @return the request's id, not 0, to follow with {@link #outcome}.
     * @throws RuntimeException with the reason when it cannot be asked.
     */
    long reloadCredentials();

    /**
     * @param requestId an id from {@link #applyRules} or {@link #reloadCredentials}.
     * @return null while pending; else the outcome: {@code OK ...} or the reason it was refused.
     */
    String outcome(long requestId);

    /**
     * Stop the daemon gracefully, as SIGTERM does.
     */
    void shutdown();
}
