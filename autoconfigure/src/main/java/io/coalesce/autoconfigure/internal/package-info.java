/**
 * Not API: public only so that the Boot 3.5 module and the build can reach them. They may change in
 * any release.
 */
package io.coalesce.autoconfigure.internal;
