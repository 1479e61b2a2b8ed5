package io.sluice.server.cluster;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;

/**
 * Reads Aeron Cluster's members string, {@code id,ingress,consensus,log,catchup,archive|...} (the form
 * {@code sluice.cluster.members} takes; {@link SluiceConfig} has checked it), for what a node and its clients need.
 */
public final class ClusterMembers
{
    /** Index of the client-facing ingress endpoint in a member's fields. */
    public static final int INGRESS = 1;
    /** Index of the archive endpoint in a member's fields. */
    public static final int ARCHIVE = 5;

    private ClusterMembers()
    {
    }

    /**
     * @param members  the members string.
     * @param memberId a member's id.
     * @return that member's fields: id, ingress, consensus, log, catchup, archive.
     * @throws ConfigurationException naming {@code sluice.cluster.member-id} when no member has that id.
     */
    public static String[] member(final String members, final int memberId)
    {
        for (final String member : members.split("\\|"))
        {
            final String[] fields = member.trim().split(",");
            if (fields.length == 6 && fields[0].trim().equals(Integer.toString(memberId)))
            {
                for (int i = 0; i < fields.length; i++)
                {
                    fields[i] = fields[i].trim();
                }
                return fields;
            }
        }
        throw new ConfigurationException(SluiceConfig.CLUSTER_MEMBER_ID, Integer.toString(memberId),
            "is not a member of " + SluiceConfig.CLUSTER_MEMBERS + "=" + members);
    }

    /**
     * @param endpoint {@code host:port}.
     * @return the host.
     */
    public static String host(final String endpoint)
    {
        return endpoint.substring(0, endpoint.lastIndexOf(':'));
    }
}
