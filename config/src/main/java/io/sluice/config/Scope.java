package io.sluice.config;

/**
 * What a setting decides, and so which records made under one value another value cannot use. Declared with every
 * setting in {@link Settings}; the journal's identity, the fingerprint its START entries carry and a cluster
 * snapshot's fingerprint are derived from it, so a new setting that shapes state is checked by declaring it so.
 */
public enum Scope
{
    /**
     * Shapes state: a journal or snapshot made under another value cannot be replayed or restored into this
     * configuration as it is (the shard count, the table, the windows, the hash seed); a restart under other windows
     * or eviction rebuilds the windows from the journal.
     */
    STATE("state", "shapes state: a journal or snapshot made under another value cannot be restored as it is " +
        "(a restart under another window size, slide, lateness or eviction rebuilds the windows from the journal, " +
        "see durability.md)"),

    /**
     * Decides how the log is applied: the same input under another value gives other state (what is rejected,
     * when ticks go in the ring), so every node of a cluster must agree on it.
     */
    LOG("log", "decides how the log is applied: every cluster node must have the same value"),

    /**
     * Local to the process: threads, channels, directories, timeouts; nodes may differ.
     */
    LOCAL("local", "local to the process: nodes of a cluster may differ");

    private final String label;
    private final String meaning;

    Scope(final String label, final String meaning)
    {
        this.label = label;
        this.meaning = meaning;
    }

    /**
     * @return the scope as the configuration reference writes it: {@code state}, {@code log} or {@code local}.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return one line: what the scope means for a user.
     */
    public String meaning()
    {
        return meaning;
    }
}
