package io.sluice.config;

/**
 * Where the Aeron media driver runs.
 */
public enum DriverMode
{
    /** The daemon launches a media driver in its own process and deletes its directory at shutdown. */
    EMBEDDED,
    /** The daemon connects to a media driver already running at {@code sluice.driver.dir}. */
    EXTERNAL
}
