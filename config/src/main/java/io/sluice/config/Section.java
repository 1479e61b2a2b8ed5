package io.sluice.config;

/**
 * A group of settings as {@code config/defaults.properties} and the configuration reference list them, in the
 * order of {@link Settings#sections()}.
 *
 * @param title   what the settings are about, e.g. {@code Ring and state}.
 * @param note    lines printed after the section's settings (the alert rules' keys, which are not declared
 *                settings); empty for none.
 * @param example properties the defaults file shows commented out after the note; empty for none.
 */
public record Section(String title, String note, String example)
{
}
