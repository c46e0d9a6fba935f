package io.spar.pgwire;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child event loop group of the PostgreSQL port: it registers each accepted connection on
 * a {@link ConnectionLoop} of its own, which ends when the connection closes.
 */
final class ConnectionLoops extends AbstractEventExecutorGroup implements EventLoopGroup {
  private final Set<ConnectionLoop> loops = ConcurrentHashMap.newKeySet();
  private final AtomicInteger names = new AtomicInteger();
  private final Promise<Void> terminated = new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
  private volatile boolean shuttingDown;

  @Override
  public ChannelFuture register(Channel channel) {
    return register(new DefaultChannelPromise(channel, GlobalEventExecutor.INSTANCE));
  }

  @Override
  public ChannelFuture register(ChannelPromise promise) {
    if (shuttingDown) {
      return promise.setFailure(new RejectedExecutionException("the port is closing"));
    }
    ConnectionLoop loop = new ConnectionLoop("spar-pg-" + names.incrementAndGet());
    loops.add(loop);
    loop.terminationFuture().addListener(done -> {
      loops.remove(loop);
      terminateIfDone();
    });
    Channel channel = promise.channel();
    channel.closeFuture().addListener(closed -> loop.shutdownGracefully(0, 0,
        TimeUnit.SECONDS));
    ChannelPromise onLoop = new DefaultChannelPromise(channel, loop);
    onLoop.addListener(registered -> {
      if (registered.isSuccess()) {
        promise.trySuccess();
      } else {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        promise.tryFailure(registered.cause());
      }
    });
    return loop.register(onLoop);
  }

  @Deprecated
  @Override
  public ChannelFuture register(Channel channel, ChannelPromise promise) {
    return register(promise);
  }

  /** Not offered: every loop of this group belongs to one connection. */
  @Override
  public EventLoop next() {
    throw new UnsupportedOperationException("each connection has a loop of its own");
  }

  @Override
  public Iterator<EventExecutor> iterator() {
    return List.<EventExecutor>copyOf(loops).iterator();
  }

  @Override
  public boolean isShuttingDown() {
    return shuttingDown;
  }

  @Override
  public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
    shuttingDown = true;
    for (ConnectionLoop each : loops) {
      each.shutdownGracefully(quietPeriod, timeout, unit);
    }
    terminateIfDone();
    return terminated;
  }

  private void terminateIfDone() {
    if (shuttingDown && loops.isEmpty()) {
      terminated.trySuccess(null);
    }
  }

  @Override
  public Future<?> terminationFuture() {
    return terminated;
  }

  @Deprecated
  @Override
  public void shutdown() {
    shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  @Override
  public boolean isShutdown() {
    return shuttingDown;
  }

  @Override
  public boolean isTerminated() {
    return terminated.isDone();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }
}
