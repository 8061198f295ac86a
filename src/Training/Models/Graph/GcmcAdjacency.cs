using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// GC-MC's message passing with ordinal weight sharing, as two differentiable operations over the per-level adjacency
/// (<see cref="NormalizedAdjacency.ByLevel"/>): users ← A_u·cumsum(T_movies) and movies ← A_m·cumsum(T_users), where
/// T is a side's per-level weights [levels, nodes, hidden] and cumsum runs over the levels (W_r = Σ_{s≤r} T_s).
/// On the CPU every product walks the user rows A_u alone, in order, so the user-sized tables (the users' five level
/// weights, 614 MB at Netflix size with 64 hidden units, and their Adam moments) are read and written in order while
/// the random accesses land in the small movie-sized ones, which stay in cache:
/// <list type="bullet">
/// <item>users ← A_u·cumsum(T_movies): gathers along A_u's rows (<see cref="SparseKernel"/>);</item>
/// <item>its backward A_uᵀ·G_users: pushes each user's gradient row into the movie levels (<see cref="PushKernel"/>);</item>
/// <item>movies ← A_m·cumsum(T_users) = A_uᵀ-ordered push of each user's cumulative level rows, summed on the fly
///   (no cumulative copy of the user weights);</item>
/// <item>its backward A_mᵀ·G_movies: gathers G_movies along A_u's rows into each user's level rows (<see cref="LevelTransposeKernel"/>).</item>
/// </list>
/// No movie-row matrix, no transpose. The reverse cumulative sum of a gradient runs in place (torch's cumsum backward takes
/// three more copies of the user weights); when an <see cref="InBackwardAdam"/> holds the users' weights, the last
/// product and that sum run user by user and each user's rows are updated at once, so the users' weights have no
/// gradient table at all (614 MB). The products add their terms in user order; the user side and both backward
/// products give torch's cumsum + CSR product to the bit, the movie messages (summed over users rather than level by
/// level) to rounding. On another device, or with <c>torchOps</c>, it is torch's cumsum and sparse <c>mm</c>.
/// </summary>
public sealed class GcmcAdjacency : IDisposable
{
    private readonly Side _users;
    private readonly Side _movies;

    public GcmcAdjacency(BipartiteGraph graph, int levels, Device device, int threads, bool torchOps = false)
    {
        ArgumentNullException.ThrowIfNull(graph);
        UserRows = NormalizedAdjacency.ByLevel(graph, userRows: true, levels);
        Levels = levels;
        if (SparseOperator.UsesCsrKernel(device, torchOps))
        {
            var movieLevels = new PushLayout(ColumnBase: 0, levels, graph.Movies, LevelsInOutput: true, CumulativeInput: false);
            var userLevels = new PushLayout(ColumnBase: 0, levels, graph.Movies, LevelsInOutput: false, CumulativeInput: true);
            _users = Side.Kernels(graph.Movies, levels, new SparseKernel(UserRows, threads), cumulativeInside: false,
                new PushKernel(UserRows, movieLevels, threads), threads);
            _movies = Side.Kernels(graph.Users, levels, new PushKernel(UserRows, userLevels, threads), cumulativeInside: true,
                new LevelTransposeKernel(UserRows, levels, threads), threads);
        }
        else
        {
            _users = Side.Torch(graph.Movies, levels, UserRows.ToTorch(device));
            _movies = Side.Torch(graph.Users, levels, NormalizedAdjacency.ByLevel(graph, userRows: false, levels).ToTorch(device));
        }
    }

    /// <summary>Users × (levels·Movies).</summary>
    public SparseMatrix UserRows { get; }

    public int Levels { get; }

    /// <summary>Every user's summed messages [Users, hidden] from the movies' per-level weights [levels, Movies, hidden].</summary>
    public Tensor UserMessages(Tensor movieLevels) => _users.Multiply(movieLevels, null);

    /// <summary>Every movie's summed messages [Movies, hidden] from the users' per-level weights [levels, Users, hidden].</summary>
    public Tensor MovieMessages(Tensor userLevels) => _movies.Multiply(userLevels, null);

    /// <summary>
    /// True where the backward of <see cref="MovieMessages(Tensor, InBackwardAdam)"/> can update the users' weights row by
    /// row (the CPU kernels).
    /// </summary>
    public bool UpdatesUsersInBackward => _movies.StepsInBackward;

    /// <summary>
    /// <see cref="MovieMessages(Tensor)"/> whose backward updates <paramref name="userLevels"/> — the parameter
    /// <paramref name="optimizer"/> holds — with Adam row by row instead of giving it a gradient (<see cref="InBackwardAdam"/>).
    /// Only where <see cref="UpdatesUsersInBackward"/>.
    /// </summary>
    public Tensor MovieMessages(Tensor userLevels, InBackwardAdam optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!UpdatesUsersInBackward)
        {
            throw new InvalidOperationException("the users' weights can be updated in the backward only by the CPU kernels");
        }

        if (!SameStorage(userLevels, optimizer.Weight))
        {
            throw new ArgumentException("the in-backward optimizer must hold the users' level weights themselves", nameof(optimizer));
        }

        return _movies.Multiply(userLevels, optimizer);
    }

    public void Dispose()
    {
        _users.Dispose();
        _movies.Dispose();
    }

    private static unsafe bool SameStorage(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype || !a.is_contiguous() || !b.is_contiguous())
        {
            return false;
        }

        fixed (byte* x = a.bytes, y = b.bytes)
        {
            return x == y;
        }
    }

    /// <summary>One direction: this side's nodes receive from the other side's <see cref="Senders"/>.</summary>
    private sealed class Side : IDisposable
    {
        private readonly INativeProduct? _forward;
        private readonly bool _cumulativeInside;
        private readonly INativeProduct? _backward;
        private readonly int _threads;
        private readonly Tensor? _torchMatrix;

        private Side(int senders, int levels, INativeProduct? forward, bool cumulativeInside, INativeProduct? backward, int threads, Tensor? torchMatrix)
        {
            Senders = senders;
            Levels = levels;
            _forward = forward;
            _cumulativeInside = cumulativeInside;
            _backward = backward;
            _threads = Math.Max(1, threads);
            _torchMatrix = torchMatrix;
        }

        public int Senders { get; }

        public int Levels { get; }

        /// <param name="forward">The product with the stacked [levels·senders, hidden] weights (cumulative, or raw when <paramref name="cumulativeInside"/>).</param>
        /// <param name="backward">The gradient's product back to [levels·senders, hidden], before the reverse cumulative sum.</param>
        public static Side Kernels(int senders, int levels, INativeProduct forward, bool cumulativeInside, INativeProduct backward, int threads) =>
            new(senders, levels, forward, cumulativeInside, backward, threads, null);

        public static Side Torch(int senders, int levels, Tensor matrix) => new(senders, levels, null, false, null, 1, matrix);

        public bool StepsInBackward => _backward is LevelTransposeKernel;

        /// <param name="optimizer">Updates the weights in the backward (only where <see cref="StepsInBackward"/>); null: they get a gradient.</param>
        public Tensor Multiply(Tensor levelWeights, InBackwardAdam? optimizer)
        {
            if (levelWeights.dim() != 3 || levelWeights.shape[0] != Levels || levelWeights.shape[1] != Senders)
            {
                throw new ArgumentException($"per-level weights must be [{Levels}, {Senders}, hidden], got [{string.Join(", ", levelWeights.shape)}]");
            }

            if (_torchMatrix is null)
            {
                return OrdinalProduct.apply(new Route(this, optimizer), levelWeights);
            }

            // Ordinal weight sharing: level r's weights are the running sum of T_1..T_r; stacked [levels·nodes, hidden].
            return _torchMatrix.mm(levelWeights.cumsum(0).reshape(Levels * (long)Senders, levelWeights.shape[2]));
        }

        public void Dispose() => _torchMatrix?.Dispose();

        public Tensor Forward(Tensor levelWeights)
        {
            using (no_grad())
            using (Tensor weights = levelWeights.detach())
            using (Tensor? cumulative = _cumulativeInside ? null : weights.cumsum(0))
            using (Tensor stacked = (cumulative ?? weights).reshape(Levels * (long)Senders, levelWeights.shape[2]))
            {
                return NativeProduct.Run(_forward!, stacked);
            }
        }

        /// <summary>Hands the weights' gradient row by row to <paramref name="optimizer"/> (<see cref="LevelTransposeKernel.StepReverseCumulative"/>).</summary>
        public unsafe void StepInBackward(Tensor gradient, InBackwardAdam optimizer)
        {
            var kernel = (LevelTransposeKernel)_backward!;
            InBackwardAdam.RowStep step = optimizer.Begin();
            using Tensor upstream = gradient.contiguous();
            fixed (byte* source = upstream.bytes)
            {
                kernel.StepReverseCumulative(SimdWidths.Best, (nint)source, upstream.numel(), step, (int)gradient.shape[1]);
            }
        }

        public Tensor Backward(Tensor gradient)
        {
            // The view keeps the storage; the handle goes now so autograd holds the only reference (no extra copy).
            using Tensor stacked = NativeProduct.Run(_backward!, gradient);
            ReverseCumulativeSum(stacked, Levels, _threads);
            return stacked.reshape(Levels, Senders, gradient.shape[1]);
        }
    }

    /// <summary>
    /// In place over [levels, n] (n = nodes·hidden): x_l ← Σ_{s≥l} x_s, the gradient of a cumulative sum over the levels,
    /// accumulated from the last level down in double as torch's CPU cumsum does (so the result is torch's to the bit).
    /// </summary>
    internal static unsafe void ReverseCumulativeSum(Tensor stacked, int levels, int threads)
    {
        long n = stacked.numel() / levels;
        const long Block = 1 << 16;
        long blocks = (n + Block - 1) / Block;
        fixed (byte* bytes = stacked.bytes)
        {
            var data = (nint)bytes;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, b =>
            {
                var values = (float*)data;
                long end = Math.Min(n, (b + 1) * Block);
                for (long i = b * Block; i < end; i++)
                {
                    double sum = 0;
                    for (int l = levels - 1; l >= 0; l--)
                    {
                        sum += values[(l * n) + i];
                        values[(l * n) + i] = (float)sum;
                    }
                }
            });
        }
    }

    /// <summary>Where a product's backward goes: its side, and the optimizer that takes the weights' rows, if any.</summary>
    private sealed record Route(Side Side, InBackwardAdam? Optimizer);

    /// <summary>The autograd function: forward A·cumsum(T), backward revcumsum(Aᵀ·G); the route travels as a non-tensor argument.</summary>
    private sealed class OrdinalProduct : torch.autograd.SingleTensorFunction<OrdinalProduct>
    {
        private const string RouteKey = "route";

        public override string Name => nameof(OrdinalProduct);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var route = (Route)vars[0];
            var levelWeights = (Tensor)vars[1];
            ctx.save_data(RouteKey, route);
            return route.Side.Forward(levelWeights);
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (Side side, InBackwardAdam? optimizer) = (Route)ctx.get_data(RouteKey);
            if (optimizer is not null)
            {
                side.StepInBackward(grad_output, optimizer);
                return [null!, null!];
            }

            return [null!, side.Backward(grad_output)];
        }
    }
}
