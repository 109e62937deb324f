using System.Net.Sockets;

namespace Marketplace.Testing;

/// <summary>Readiness probes that speak each server's protocol (a bare TCP connect proves nothing behind a proxy).</summary>
public static class Probes
{
    public static async Task<bool> PostgresAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F }, ct);
            var reply = new byte[1];
            return await stream.ReadAsync(reply, ct) == 1 && reply[0] is (byte)'N' or (byte)'S';
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task<bool> AmqpAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\x09\x01"u8.ToArray(), ct);
            var reply = new byte[1];
            return await stream.ReadAsync(reply, ct) == 1 && reply[0] == 1;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>PING answered with +PONG (or -NOAUTH, which proves a Redis server as well).</summary>
    public static async Task<bool> RedisAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
            var reply = new byte[1];
            return await stream.ReadAsync(reply, ct) == 1 && reply[0] is (byte)'+' or (byte)'-';
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The 220 greeting every SMTP server sends on connect.</summary>
    public static async Task<bool> SmtpAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            var reply = new byte[3];
            var read = 0;
            while (read < 3 && await client.GetStream().ReadAsync(reply.AsMemory(read), ct) is > 0 and var n)
            {
                read += n;
            }
            return read == 3 && reply is [(byte)'2', (byte)'2', (byte)'0'];
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task<bool> TcpAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
