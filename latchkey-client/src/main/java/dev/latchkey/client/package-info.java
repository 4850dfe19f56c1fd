/**
 * The Java client SDK of Latchkey: {@link dev.latchkey.client.LatchkeyClient} redeems a one-time
 * code for a session, keeps the session's bearer fresh (proactive refresh, one retry on a 401,
 * one coalesced refresh per rotating refresh token), hands every rotated refresh token to a
 * {@link dev.latchkey.client.SessionStore} before a call returns, and maps Latchkey's errors to
 * the subtypes of {@link dev.latchkey.client.LatchkeyException}. It depends on nothing but the
 * JDK.
 */
@NullMarked
package dev.latchkey.client;

import org.jspecify.annotations.NullMarked;
