/**
 * Latchkey's own sessions (DESIGN.md C3, C4): short-lived access tokens it signs, rotating refresh
 * tokens grouped in families with reuse detection, and one-time codes that hand a browser login
 * to a cross-origin panel.
 */
@NullMarked
package dev.latchkey.core.session;

import org.jspecify.annotations.NullMarked;
