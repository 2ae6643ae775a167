namespace RagFood.Server.Composition;

/// <summary>Wraps an already registered service in a decorator, keeping its lifetime and its place in the collection.</summary>
/// <remarks>Lets telemetry and usage counting layer themselves over registrations owned by other code (the providers'
/// keyed stores, the embedding generator, the chat client) without editing those registrations. The last registration
/// for the service type and key is the one decorated (the one the container resolves).</remarks>
internal static class ServiceDecoration
{
    /// <summary>Decorates the unkeyed registration of <typeparamref name="T"/>; <c>false</c> when there is none.</summary>
    public static bool Decorate<T>(this IServiceCollection services, Func<T, IServiceProvider, T> decorate)
        where T : class => Decorate(services, null, decorate);

    /// <summary>Decorates the registration of <typeparamref name="T"/> under <paramref name="key"/> (unkeyed when <c>null</c>).</summary>
    public static bool Decorate<T>(this IServiceCollection services, object? key, Func<T, IServiceProvider, T> decorate)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(decorate);
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var original = services[i];
            if (original.ServiceType != typeof(T) || original.IsKeyedService != (key is not null) || !Equals(original.ServiceKey, key))
            {
                continue;
            }

            services[i] = key is null
                ? new ServiceDescriptor(typeof(T), sp => decorate((T)Create(original, sp), sp), original.Lifetime)
                : new ServiceDescriptor(typeof(T), key, (sp, k) => decorate((T)Create(original, sp), sp), original.Lifetime);
            return true;
        }

        return false;
    }

    /// <summary>The keys under which <typeparamref name="T"/> is registered.</summary>
    public static IReadOnlyList<object> KeysOf<T>(this IServiceCollection services) =>
        services.Where(d => d.ServiceType == typeof(T) && d.IsKeyedService && d.ServiceKey is not null)
            .Select(d => d.ServiceKey!)
            .Distinct()
            .ToList();

    private static object Create(ServiceDescriptor descriptor, IServiceProvider services)
    {
        if (descriptor.IsKeyedService)
        {
            return descriptor.KeyedImplementationInstance
                ?? descriptor.KeyedImplementationFactory?.Invoke(services, descriptor.ServiceKey)
                ?? ActivatorUtilities.CreateInstance(services, descriptor.KeyedImplementationType!);
        }

        return descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
    }
}
