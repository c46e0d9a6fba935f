package io.spar.server;

import java.util.concurrent.Callable;
import org.apache.calcite.avatica.remote.AuthenticationType;
import org.apache.calcite.avatica.server.AvaticaServerConfiguration;
import org.apache.calcite.avatica.server.RemoteUserExtractor;

/**
 * Avatica server configuration for HTTP BASIC authentication by {@link UsersFileLoginService}:
 * every user of the users file has the one role that the server requires. Kerberos and
 * impersonation are not used.
 */
final class BasicAuthConfiguration implements AvaticaServerConfiguration {
  @Override
  public AuthenticationType getAuthenticationType() {
    return AuthenticationType.BASIC;
  }

  @Override
  public String[] getAllowedRoles() {
    return new String[] {UsersFileLoginService.ROLE};
  }

  @Override
  public String getHashLoginServiceRealm() {
    return "Spar";
  }

  /** Not used: {@link SparHttpServer} installs its own login service. */
  @Override
  public String getHashLoginServiceProperties() {
    return null;
  }

  @Override
  public String getKerberosRealm() {
    return null;
  }

  @Override
  public String getKerberosServiceName() {
    return null;
  }

  @Override
  public String getKerberosHostName() {
    return null;
  }

  @Override
  public String getKerberosPrincipal() {
    return null;
  }

  @Override
  public boolean supportsImpersonation() {
    return false;
  }

  @Override
  public <T> T doAsRemoteUser(String remoteUserName, String remoteAddress, Callable<T> action) {
    throw new UnsupportedOperationException("Spar does not impersonate remote users");
  }

  @Override
  public RemoteUserExtractor getRemoteUserExtractor() {
    return null;
  }
}
