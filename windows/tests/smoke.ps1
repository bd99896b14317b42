<#
.SYNOPSIS
  procnotify.sys on real Windows: what the Wine suite cannot show.

.DESCRIPTION
  Run as Administrator on a test VM with test signing on (windows/README.md).
  Loads the driver, starts known processes and compares procnotify.exe --json
  with them, spoofs a parent (PROC_THREAD_ATTRIBUTE_PARENT_PROCESS), opens the
  device as a standard user, pushes a deny rule, and loads and unloads the
  driver 100 times. Prints "ok"/"FAIL" lines and "N passed, N failed"; exits 1
  on any failure. -EnableVerifier turns Driver Verifier's standard checks on
  for the driver (a reboot follows); run the script again after it.

  This script is not run by the repository's CI, which has no Windows.
#>
param(
    [string]$Driver = "$PSScriptRoot\procnotify.sys",
    [string]$Client = "$PSScriptRoot\procnotify.exe",
    [string]$Service = "procnotify",
    [int]$Cycles = 100,
    [switch]$EnableVerifier
)
$ErrorActionPreference = "Stop"
$script:Passed = 0
$script:Failed = 0

function Check([string]$What, [scriptblock]$Test) {
    try { $ok = [bool](& $Test) } catch { $ok = $false; $What += " ($($_.Exception.Message))" }
    if ($ok) { $script:Passed++; "ok   - $What" } else { $script:Failed++; "FAIL - $What" }
}

if ($EnableVerifier) {
    verifier /standard /driver (Split-Path $Driver -Leaf)
    "Driver Verifier's standard checks are set for $(Split-Path $Driver -Leaf): reboot, then run this script again."
    exit 0
}

$admin = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
    [Security.Principal.WindowsBuiltInRole]::Administrator)
if (-not $admin) { "FAIL - run as Administrator"; exit 1 }

# ---- load ----
$sys = "$env:SystemRoot\System32\drivers\procnotify.sys"
sc.exe stop $Service 2>$null | Out-Null
sc.exe delete $Service 2>$null | Out-Null
Copy-Item $Driver $sys -Force
Check "sc create" { sc.exe create $Service type= kernel binPath= $sys | Out-Null; $LASTEXITCODE -eq 0 }
Check "sc start" { sc.exe start $Service | Out-Null; $LASTEXITCODE -eq 0 }
$counters = & $Client --counters
"# $counters"
Check "the driver answers its version and counters" { $LASTEXITCODE -eq 0 -and $counters -match '^queued=' }
Check "registered with Ex2 (Windows 10 1703 and later) or Ex" { $counters -match 'routine=Ex2? ' }
$verifier = (verifier /querysettings) -join "`n"
"# Driver Verifier on procnotify.sys: $(if ($verifier -match 'procnotify.sys') { 'yes' } else { 'no (see -EnableVerifier)' })"

# ---- known processes against the JSON ----
$json = Join-Path $env:TEMP "procnotify-smoke.json"
$reader = Start-Process $Client -ArgumentList "--json" -RedirectStandardOutput $json -PassThru -WindowStyle Hidden
Start-Sleep -Seconds 1
$started = @()
foreach ($code in 0, 3, 7) {
    $p = Start-Process "$env:SystemRoot\System32\cmd.exe" -ArgumentList "/c exit $code" -PassThru -Wait -WindowStyle Hidden
    $started += [pscustomobject]@{ Pid = $p.Id; Code = $code }
}

# A parent spoofed with PROC_THREAD_ATTRIBUTE_PARENT_PROCESS: the record must name
# the parent Windows records and this script as the real creator.
Add-Type -TypeDefinition @"
using System;
using System.Runtime.InteropServices;
public static class PnSpoof {
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    struct STARTUPINFOEX { public STARTUPINFO StartupInfo; public IntPtr lpAttributeList; }
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    struct STARTUPINFO {
        public int cb; public string lpReserved, lpDesktop, lpTitle;
        public int dwX, dwY, dwXSize, dwYSize, dwXCountChars, dwYCountChars, dwFillAttribute, dwFlags;
        public short wShowWindow, cbReserved2; public IntPtr lpReserved2, hStdInput, hStdOutput, hStdError;
    }
    [StructLayout(LayoutKind.Sequential)]
    struct PROCESS_INFORMATION { public IntPtr hProcess, hThread; public int dwProcessId, dwThreadId; }
    [DllImport("kernel32.dll", SetLastError = true)] static extern bool InitializeProcThreadAttributeList(IntPtr l, int n, int f, ref IntPtr size);
    [DllImport("kernel32.dll", SetLastError = true)] static extern bool UpdateProcThreadAttribute(IntPtr l, uint f, IntPtr attr, IntPtr val, IntPtr size, IntPtr prev, IntPtr ret);
    [DllImport("kernel32.dll", SetLastError = true)] static extern IntPtr OpenProcess(uint access, bool inherit, int pid);
    [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
    static extern bool CreateProcess(string app, string cmd, IntPtr pa, IntPtr ta, bool inherit, uint flags, IntPtr env, string dir, ref STARTUPINFOEX si, out PROCESS_INFORMATION pi);
    [DllImport("kernel32.dll")] static extern uint WaitForSingleObject(IntPtr h, uint ms);
    public static int Start(string cmd, int parentPid) {
        IntPtr size = IntPtr.Zero;
        InitializeProcThreadAttributeList(IntPtr.Zero, 1, 0, ref size);
        IntPtr list = Marshal.AllocHGlobal(size);
        if (!InitializeProcThreadAttributeList(list, 1, 0, ref size)) throw new Exception("attribute list");
        IntPtr parent = OpenProcess(0x0080 /* PROCESS_CREATE_PROCESS */, false, parentPid);
        IntPtr slot = Marshal.AllocHGlobal(IntPtr.Size);
        Marshal.WriteIntPtr(slot, parent);
        if (!UpdateProcThreadAttribute(list, 0, (IntPtr)0x00020000 /* PARENT_PROCESS */, slot, (IntPtr)IntPtr.Size, IntPtr.Zero, IntPtr.Zero))
            throw new Exception("parent attribute");
        var si = new STARTUPINFOEX(); si.StartupInfo.cb = Marshal.SizeOf(si); si.lpAttributeList = list;
        PROCESS_INFORMATION pi;
        if (!CreateProcess(null, cmd, IntPtr.Zero, IntPtr.Zero, false, 0x00080000 | 0x08000000 /* EXTENDED_STARTUPINFO, NO_WINDOW */,
                           IntPtr.Zero, null, ref si, out pi))
            throw new Exception("CreateProcess " + Marshal.GetLastWin32Error());
        WaitForSingleObject(pi.hProcess, 10000);
        return pi.dwProcessId;
    }
}
"@
$foster = Start-Process "$env:SystemRoot\System32\notepad.exe" -PassThru -WindowStyle Hidden
$spoofed = [PnSpoof]::Start("$env:SystemRoot\System32\cmd.exe /c exit 9", $foster.Id)
Start-Sleep -Seconds 2
Stop-Process -Id $foster.Id -Force
Stop-Process -Id $reader.Id   # the client's records are flushed per read
Start-Sleep -Seconds 1
$events = Get-Content $json | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json }
foreach ($s in $started) {
    $c = $events | Where-Object { $_.type -eq "create" -and $_.pid -eq $s.Pid }
    $e = $events | Where-Object { $_.type -eq "exit" -and $_.pid -eq $s.Pid }
    Check "pid $($s.Pid): create with cmd.exe's image, exit with code $($s.Code)" {
        $c -and $c.image -match '\\cmd\.exe$' -and $e -and $e.exit_code -eq $s.Code -and $c.ppid -eq $PID
    }
}
$sp = $events | Where-Object { $_.type -eq "create" -and $_.pid -eq $spoofed }
Check "spoofed parent: ppid is the foster parent, creator_pid is this script" {
    $sp -and $sp.ppid -eq $foster.Id -and $sp.creator_pid -eq $PID -and $sp.creator_not_parent
}

# ---- a standard user cannot open the device ----
$user = "pnsmoke"; $pass = "Pn-" + [guid]::NewGuid().ToString("N").Substring(0, 16) + "!a1"
$secure = ConvertTo-SecureString $pass -AsPlainText -Force
New-LocalUser -Name $user -Password $secure -AccountNeverExpires | Out-Null
try {
    $cred = New-Object System.Management.Automation.PSCredential(".\$user", $secure)
    $out = Join-Path $env:TEMP "procnotify-user.txt"
    $p = Start-Process $Client -ArgumentList "--counters" -Credential $cred -PassThru -Wait `
         -RedirectStandardError $out -WorkingDirectory $env:SystemRoot
    Check "a standard user is refused the device (protected DACL)" {
        $p.ExitCode -eq 1 -and (Get-Content $out -Raw) -match 'denied'
    }
} finally { Remove-LocalUser -Name $user }

# ---- deny ----
Check "push a deny rule for notepad.exe" { & $Client --deny 'image=*\notepad.exe' | Out-Null; $LASTEXITCODE -eq 0 }
Check "a denied creation fails in its creator with access denied" {
    try { Start-Process "$env:SystemRoot\System32\notepad.exe" -PassThru | Stop-Process -Force; $false }
    catch { $_.Exception.Message -match 'denied' }
}
Check "the counters count it" { (& $Client --counters) -match 'denied=[1-9]' }
Check "clear the rules" { & $Client --deny-clear | Out-Null; $LASTEXITCODE -eq 0 }

# ---- load/unload cycles ----
$bad = $null
for ($i = 1; $i -le $Cycles -and -not $bad; $i++) {
    sc.exe stop $Service | Out-Null
    if (& $Client --counters 2>$null) { $bad = "device still there after stop, cycle $i" }
    sc.exe start $Service | Out-Null
    if (-not (& $Client --counters)) { $bad = "no device after start, cycle $i" }
}
Check "$Cycles unload/load cycles ($(if ($bad) { $bad } else { 'device gone when stopped, back when started' }))" { -not $bad }

sc.exe stop $Service | Out-Null
sc.exe delete $Service | Out-Null
"$script:Passed passed, $script:Failed failed"
if ($script:Failed) { exit 1 }
